package dev.sluice.engine.repository;

/** What a blob holds: file content (DATA) or an encoded piece of the metadata tree (TREE). */
public enum BlobKind {
    DATA(1),
    TREE(2);

    private final byte code;

    BlobKind(int code) {
        this.code = (byte) code;
    }

    /** The byte that stands for this kind in pack trailers and index files. */
    public byte code() {
        return code;
    }

    /** The kind for a stored code; an unknown code is an {@link IllegalArgumentException}. */
    public static BlobKind fromCode(byte code) {
        for (BlobKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown blob kind code " + (code & 0xff));
    }
}
