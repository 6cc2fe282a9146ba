"""A prompt loop that cancels the line on Ctrl-C and asks again, as shells do; EOF ends it."""
while True:
    try:
        line = input("> ")
    except KeyboardInterrupt:
        print()
        continue
    except EOFError:
        break
    print(f"you said {line}")
