// The scalebench command line; everything is in cli/app.h.
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  return scalebench::cli::Main(std::vector<std::string>(argv + 1, argv + argc),
                               std::cout, std::cerr);
}
