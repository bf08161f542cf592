from signon.cli import main

main()
