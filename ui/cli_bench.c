/* placeholder */ typedef int placeholder_cli_bench;
