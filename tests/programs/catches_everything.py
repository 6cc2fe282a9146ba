"""A loop whose `except BaseException` drops every KeyboardInterrupt: Ctrl-C never stops it.

The ready line is printed inside the `try`, so even a Ctrl-C pressed the instant it appears is
caught (and answered with "carrying on")."""
import time


def main():
    announce = "ready"
    while True:
        try:
            print(announce, flush=True)
            time.sleep(60)
        except BaseException:
            announce = "carrying on"


main()
