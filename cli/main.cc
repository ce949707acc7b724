// The scalebench command line; everything is in cli/app.h. The one place
// the command takes the process clock.
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "common/clock.h"

int main(int argc, char** argv) {
  return scalebench::cli::Main(std::vector<std::string>(argv + 1, argv + argc),
                               std::cout, std::cerr,
                               *scalebench::Clock::Real());
}
