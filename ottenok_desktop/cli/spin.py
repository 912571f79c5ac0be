"""`spin classify TEXT... [--json]`: the SPIN stage of each text (a manager's question),
for checking the classifier on its own. One stage per text: situation, problem,
implication, need_payoff or none."""

from __future__ import annotations

import argparse
import json

EXIT_OK = 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    spin = subparsers.add_parser("spin", help="SPIN stages of manager questions")
    commands = spin.add_subparsers(dest="spin_command", metavar="{classify}")
    commands.required = True
    classify = commands.add_parser("classify", help="the SPIN stage of each TEXT")
    classify.add_argument("texts", nargs="+", metavar="TEXT")
    classify.add_argument("--json", action="store_true", help='print {"results": [{"text", "stage"}]}')
    spin.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ottenok_desktop.engine.analytics.spin import classify_text

    results = [{"text": text, "stage": classify_text(text).value} for text in args.texts]
    if args.json:
        print(json.dumps({"results": results}, ensure_ascii=False, indent=2))
    else:
        for row in results:
            print(f"{row['stage']}\t{row['text']}")
    return EXIT_OK
