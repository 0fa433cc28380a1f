package dev.sluice.engine.content;

import dev.sluice.engine.repository.BlobId;
import java.io.IOException;

/** A stored blob failed authentication, decompression or its id check. */
public final class BlobDamagedException extends IOException {
    private final transient BlobId id;

    public BlobDamagedException(BlobId id, String what) {
        super("blob " + id.shortHex() + " " + what);
        this.id = id;
    }

    public BlobId id() {
        return id;
    }
}
