"""Draws the app icon (resources/icon.png, icon.ico, icons/app-64.png): `python resources/make_icons.py`."""
import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QColor, QFont, QPainterPath, QBrush, QLinearGradient
from PySide6.QtCore import Qt, QRectF, QPointF
app = QGuiApplication(sys.argv)
def make(size):
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img); p.setRenderHint(QPainter.RenderHint.Antialiasing)
    g = QLinearGradient(0, 0, size, size); g.setColorAt(0, QColor("#c2185b")); g.setColorAt(1, QColor("#7b1fa2"))
    p.setBrush(QBrush(g)); p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(size*0.04, size*0.04, size*0.92, size*0.92), size*0.22, size*0.22)
    # a speech bubble
    p.setBrush(QColor("#ffffff"))
    path = QPainterPath(); path.addRoundedRect(QRectF(size*0.18, size*0.2, size*0.64, size*0.46), size*0.14, size*0.14)
    tail = QPainterPath(); tail.moveTo(size*0.3, size*0.6); tail.lineTo(size*0.24, size*0.8); tail.lineTo(size*0.45, size*0.64); tail.closeSubpath()
    p.drawPath(path.united(tail))
    f = QFont(); f.setBold(True); f.setPixelSize(int(size*0.34)); p.setFont(f)
    p.setPen(QColor("#9c1b6e")); p.drawText(QRectF(size*0.18, size*0.2, size*0.64, size*0.46), Qt.AlignmentFlag.AlignCenter, "О")
    p.end(); return img
make(256).save("resources/icon.png")
make(256).save("resources/icon.ico")
make(64).save("resources/icons/app-64.png")
print("ok")
