package dev.sluice.engine.mirror.dest;

/**
 * What identifies one state of a file on the receiving side: device, inode, size, mtime and ctime (nanoseconds), as
 * fstat reports them. Any write, truncate, chmod, chown, link or rename changes ctime, so equal stamps mean the
 * inode was not touched in between (up to the kernel's ctime granularity).
 */
public record FileStamp(long dev, long ino, long size, long mtimeNanos, long ctimeNanos) {
}
