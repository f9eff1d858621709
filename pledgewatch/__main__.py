from pledgewatch.cli import main

main(prog_name="pledgewatch")
