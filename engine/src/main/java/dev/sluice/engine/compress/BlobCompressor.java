package dev.sluice.engine.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Compresses blob bodies with zstd, or stores them as they are when compression does not pay.
 *
 * <p>Framed body: the first byte says how the rest is stored:
 * <ul>
 *   <li>{@code 0} (stored): the rest is the data itself;</li>
 *   <li>{@code 1} (zstd): the rest is one zstd frame that records its content size.</li>
 * </ul>
 * A body is stored when zstd would not save at least {@value #MIN_SAVING_PERCENT} % of the
 * input. There is no separate incompressibility probe: measured on this project's machine,
 * zstd level 1–3 runs through random data at about 7 GB/s (it detects incompressible blocks
 * itself), several times faster than sealing the same bytes, so a probe would save nothing.
 *
 * <p>Thread-safe. Each thread that uses an instance gets its own zstd compression and
 * decompression contexts and one scratch output buffer ({@code compressBound} of the largest
 * input seen, about 8 MiB for the default maximum chunk). Reusing contexts matters for small
 * blobs: zstd-jni's one-shot calls build a new context each time, measured at about 25 µs
 * extra per call (a 512-byte blob at level 3: 32 µs one-shot, 9 µs with a reused context).
 * Frames carry no zstd checksum: blobs are authenticated by AES-GCM. The contexts hold native
 * memory, so {@link #close()} the compressor when the job is done (after every thread has
 * stopped using it); it frees the contexts of all threads.
 */
public final class BlobCompressor implements AutoCloseable {

    /** Framing byte for stored (uncompressed) bodies. */
    public static final byte STORED = 0;
    /** Framing byte for zstd-compressed bodies. */
    public static final byte ZSTD = 1;
    /** Minimum saving, in percent of the input, for a compressed body to be kept. */
    public static final int MIN_SAVING_PERCENT = 3;

    private final boolean zstd;
    private final int level;
    private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[0]);
    private final Queue<AutoCloseable> contexts = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<ZstdCompressCtx> compressors = ThreadLocal.withInitial(this::newCompressCtx);
    private final ThreadLocal<ZstdDecompressCtx> decompressors = ThreadLocal.withInitial(this::newDecompressCtx);
    private volatile boolean closed;

    /**
     * @param algorithm {@code "zstd"} or {@code "none"}
     * @param level zstd level (between zstd's minimum, negative, and maximum, 22); ignored for {@code "none"}
     */
    public BlobCompressor(String algorithm, int level) {
        Objects.requireNonNull(algorithm, "algorithm");
        switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "zstd" -> {
                if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel() || level == 0) {
                    throw new IllegalArgumentException("zstd level " + level + " is outside "
                            + Zstd.minCompressionLevel() + ".." + Zstd.maxCompressionLevel() + " (0 is not allowed)");
                }
                this.zstd = true;
            }
            case "none" -> this.zstd = false;
            default -> throw new IllegalArgumentException("unknown compression algorithm \"" + algorithm
                    + "\"; expected zstd or none");
        }
        this.level = level;
    }

    /** Returns the framed body for {@code data[off, off + len)}; never longer than {@code len + 1}. */
    /**
     * Compresses into this thread's scratch buffer and passes the framed body to
     * {@code consumer} without copying it out; the buffer is only valid during the call.
     * Used to seal straight from the scratch buffer.
     */
    public <T> T compressThen(byte[] data, int off, int len, FramedConsumer<T> consumer) {
        Objects.checkFromIndexSize(off, len, data.length);
        checkOpen();
        int bound = (int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(len)) + 1;
        byte[] dst = scratch.get();
        if (dst.length < Math.max(bound, len + 1)) {
            dst = new byte[Math.max(bound, len + 1)];
            scratch.set(dst);
        }
        if (zstd && len > 0) {
            long n;
            try {
                n = compressors.get().compressByteArray(dst, 1, dst.length - 1, data, off, len);
            } catch (ZstdException e) {
                throw new IllegalStateException("zstd compression of " + len + " bytes failed: " + e.getMessage(), e);
            }
            if (n <= len - (long) len * MIN_SAVING_PERCENT / 100 - 1) {
                dst[0] = ZSTD;
                return consumer.accept(dst, (int) n + 1);
            }
        }
        dst[0] = STORED;
        System.arraycopy(data, off, dst, 1, len);
        return consumer.accept(dst, len + 1);
    }

    /** Receives a framed body in a scratch buffer that is valid only during the call. */
    @FunctionalInterface
    public interface FramedConsumer<T> {
        T accept(byte[] framed, int length);
    }

    public byte[] compress(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (zstd && len > 0) {
            int bound = (int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(len));
            byte[] dst = scratch.get();
            if (dst.length < bound) {
                dst = new byte[bound];
                scratch.set(dst);
            }
            checkOpen();
            int n;
            try {
                n = compressors.get().compressByteArray(dst, 0, dst.length, data, off, len);
            } catch (ZstdException e) {
                throw new IllegalStateException("zstd compression of " + len + " bytes failed: " + e.getMessage(), e);
            }
            if (n <= len - (long) len * MIN_SAVING_PERCENT / 100 - 1) {
                byte[] out = new byte[(int) n + 1];
                out[0] = ZSTD;
                System.arraycopy(dst, 0, out, 1, (int) n);
                return out;
            }
        }
        byte[] out = new byte[len + 1];
        out[0] = STORED;
        System.arraycopy(data, off, out, 1, len);
        return out;
    }

    /**
     * Undoes {@link #compress}: returns the original bytes of the framed body in
     * {@code framed[off, off + len)}. Works for both framings whatever this instance's algorithm.
     *
     * @throws DecompressionException if the body is empty, has an unknown framing byte, is
     *     corrupt, or would decompress to more than {@code maxSize} bytes
     */
    public byte[] decompress(byte[] framed, int off, int len, int maxSize) throws DecompressionException {
        Objects.checkFromIndexSize(off, len, framed.length);
        if (len < 1) {
            throw new DecompressionException("compressed body is empty: the framing byte is missing");
        }
        byte kind = framed[off];
        if (kind == STORED) {
            if (len - 1 > maxSize) {
                throw new DecompressionException("stored body has " + (len - 1) + " bytes, more than the limit of " + maxSize);
            }
            return Arrays.copyOfRange(framed, off + 1, off + len);
        }
        if (kind != ZSTD) {
            throw new DecompressionException("compressed body has unknown framing byte " + (kind & 0xff)
                    + "; expected 0 (stored) or 1 (zstd)");
        }
        long size;
        long n;
        byte[] out;
        try {
            size = Zstd.getFrameContentSize(framed, off + 1, len - 1);
            if (size < 0 || Zstd.isError(size)) {
                throw new DecompressionException("zstd body is corrupt: no readable frame header with a content size");
            }
            if (size > maxSize) {
                throw new DecompressionException("zstd body would decompress to " + size
                        + " bytes, more than the limit of " + maxSize);
            }
            out = new byte[(int) size];
            checkOpen();
            n = decompressors.get().decompressByteArray(out, 0, out.length, framed, off + 1, len - 1);
        } catch (ZstdException e) {
            throw new DecompressionException("zstd body is corrupt: " + e.getMessage());
        }
        if (n != size) {
            throw new DecompressionException("zstd body is corrupt: it decompressed to " + n + " bytes, its header says " + size);
        }
        return out;
    }

    private ZstdCompressCtx newCompressCtx() {
        ZstdCompressCtx ctx = new ZstdCompressCtx();
        contexts.add(ctx);
        ctx.setLevel(level);
        ctx.setContentSize(true);
        ctx.setChecksum(false);
        return ctx;
    }

    private ZstdDecompressCtx newDecompressCtx() {
        ZstdDecompressCtx ctx = new ZstdDecompressCtx();
        contexts.add(ctx);
        return ctx;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** Frees the native zstd contexts of every thread; the compressor cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        AutoCloseable ctx;
        while ((ctx = contexts.poll()) != null) {
            try {
                ctx.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a zstd context failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return zstd ? "BlobCompressor[zstd level " + level + "]" : "BlobCompressor[none]";
    }
}
