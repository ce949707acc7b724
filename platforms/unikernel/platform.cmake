# PLATFORM_UNIKERNEL: its description and the worker's part (platform.h,
# driver_factory.h). Included from platforms/CMakeLists.txt.
scalebench_platform(unikernel)
