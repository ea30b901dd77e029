# Cross toolchain for the MSP430FR5994 firmware: Debian clang 14 + ld.lld (design.md §5).
# clang has no MSP430 C library and its MSP430 driver ignores -fuse-ld (it always runs
# msp430-elf-ld), so executables are linked by calling ld.lld directly with our own
# linker script and runtime (kernels/runtime/).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR msp430)

find_program(IPSIM_MSP430_CLANG NAMES clang-14 clang REQUIRED)
find_program(IPSIM_MSP430_LLD NAMES ld.lld-14 ld.lld REQUIRED)

set(CMAKE_C_COMPILER ${IPSIM_MSP430_CLANG})
set(CMAKE_ASM_COMPILER ${IPSIM_MSP430_CLANG})
set(CMAKE_C_COMPILER_TARGET msp430)
set(CMAKE_ASM_COMPILER_TARGET msp430)
set(CMAKE_LINKER ${IPSIM_MSP430_LLD})
# GNU ar cannot index MSP430 objects and ld.lld needs the archive index.
find_program(IPSIM_MSP430_AR NAMES llvm-ar-14 llvm-ar REQUIRED)
find_program(IPSIM_MSP430_RANLIB NAMES llvm-ranlib-14 llvm-ranlib REQUIRED)
set(CMAKE_AR ${IPSIM_MSP430_AR} CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB ${IPSIM_MSP430_RANLIB} CACHE FILEPATH "" FORCE)
# No C library: compiler checks must not try to link an executable.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# facts §2.6: clang 14 rejects -mmcu=msp430fr5994; -mhwmult selects the helper names.
# Only f5series matches the FR5994's MPY32 at 0x04C0 (libmul_32 would hit PM5CTL0).
set(IPSIM_MSP430_HWMULT f5series CACHE STRING "clang -mhwmult= for the firmware (f5series|none)")

set(CMAKE_C_FLAGS_INIT
    "-mhwmult=${IPSIM_MSP430_HWMULT} -ffreestanding -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "-mhwmult=${IPSIM_MSP430_HWMULT}")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -g")
set(CMAKE_C_FLAGS_DEBUG_INIT "-O1 -g")
set(CMAKE_ASM_FLAGS_RELEASE_INIT "-g")

# ld.lld called directly: no compiler flags on the link line, only linker flags.
set(CMAKE_C_LINK_EXECUTABLE
    "${IPSIM_MSP430_LLD} <LINK_FLAGS> <CMAKE_C_LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_ASM_LINK_EXECUTABLE ${CMAKE_C_LINK_EXECUTABLE})
# --nmagic: no page alignment and no ELF headers in a LOAD segment (lld would otherwise
# map them at 0x1000, inside the BSL ROM).
set(CMAKE_EXE_LINKER_FLAGS_INIT "--gc-sections --nmagic")
set(CMAKE_C_LINK_FLAGS "")
set(CMAKE_EXECUTABLE_SUFFIX ".elf")
set(CMAKE_EXECUTABLE_SUFFIX_C ".elf")
set(CMAKE_EXECUTABLE_SUFFIX_ASM ".elf")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
