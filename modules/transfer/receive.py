"""Act on what the national tier relayed (transfers between provinces), for cron:

    python -m modules.transfer.receive [--database-url URL]     # e.g. every minute

The app does the same whenever staff open their home page or the transfers pages
(modules/transfer/interprovince.py ``receive``); this is for a province where nobody looks for a
while (the receiving school's new teacher is created, the releasing school's case opened, without
waiting for a visit). Settings from the environment as the app (TMIS_DATABASE_URL, TMIS_PROVINCE).
Prints what it did; exit status 0."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from modules.transfer.interprovince import receive_all
    from web.context import AppContext
    from web.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m modules.transfer.receive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $TMIS_DATABASE_URL)")
    args = parser.parse_args(argv)
    ctx = AppContext.build(Settings.from_env(**({"database_url": args.database_url} if args.database_url else {})))
    try:
        out = receive_all(ctx)
    finally:
        ctx.engine.dispose()
    if not out:
        print("本库未发布到全国库，无事可做 / this database does not publish to the national tier: nothing to do")
    else:
        print(f"外省调入申请 {out['requests']} 件、调出省份答复 {out['decisions']} 件已处理 / "
              f"requests acted on: {out['requests']}, decisions acted on: {out['decisions']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
