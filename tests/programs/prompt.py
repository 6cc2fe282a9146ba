"""Asks a question on the terminal and answers it: keys in, output out."""
name = input("your name? ")
print(f"hello, {name}!")
