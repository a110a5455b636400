// The toolkit builds for Linux only: its I/O layer calls Glibc and Linux-specific flags directly
// (O_DIRECT writes, madvise and posix_fadvise hints, Linux's errno values). A build for another
// system stops here with one line rather than with a screen of missing symbols.
#if !os(Linux)
#error("ckpt-tools builds for Linux only (its I/O layer is written against Glibc and Linux system calls)")
#endif
