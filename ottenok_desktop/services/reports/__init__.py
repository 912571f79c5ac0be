"""Reports: loading a period's rows (database or WhatsApp exports), the Excel workbook,
the chart image, and the scheduled daily/weekly reports."""
