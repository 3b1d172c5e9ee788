/* main.c — the entry point of magic-adventure. Everything is in cli.c. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
