package dev.sluice.engine.fs;

/** The type of a directory entry, as lstat(2) reports it. */
public enum FileKind {
    REGULAR,
    DIRECTORY,
    SYMLINK,
    FIFO,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    SOCKET;

    /**
     * Returns the kind encoded in the {@code S_IFMT} bits of a raw {@code st_mode}.
     *
     * @throws IllegalArgumentException for an unknown file type
     */
    public static FileKind fromMode(int stMode) {
        switch (stMode & 0170000) {
            case 0100000: return REGULAR;
            case 0040000: return DIRECTORY;
            case 0120000: return SYMLINK;
            case 0010000: return FIFO;
            case 0020000: return CHAR_DEVICE;
            case 0060000: return BLOCK_DEVICE;
            case 0140000: return SOCKET;
            default:
                throw new IllegalArgumentException("unknown file type in mode 0" + Integer.toOctalString(stMode));
        }
    }

    /** True for fifos, device nodes and sockets: entries that must never be opened. */
    public boolean isSpecial() {
        return this == FIFO || this == CHAR_DEVICE || this == BLOCK_DEVICE || this == SOCKET;
    }
}
