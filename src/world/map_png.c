/* placeholder: being written */ typedef int placeholder_map_png;
