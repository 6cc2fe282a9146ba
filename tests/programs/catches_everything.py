"""A loop whose `except BaseException` drops every KeyboardInterrupt: Ctrl-C never stops it."""
import time


def main():
    print("ready", flush=True)
    while True:
        try:
            time.sleep(60)
        except BaseException:
            print("carrying on", flush=True)


main()
