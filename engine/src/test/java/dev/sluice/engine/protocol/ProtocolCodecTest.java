package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message round-trips, and every truncation or extension of a payload is refused as MALFORMED. */
class ProtocolCodecTest {
    private static BlobId id(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        b[31] = (byte) (n >> 8);
        return BlobId.of(b);
    }

    private interface Decoder {
        void decode(byte[] payload) throws ProtocolException;
    }

    /** Cutting the payload at any byte, or adding one, fails with MALFORMED (never another exception). */
    private static void strict(byte[] payload, Decoder d) throws ProtocolException {
        d.decode(payload);
        for (int n = 0; n < payload.length; n++) {
            byte[] cut = Arrays.copyOf(payload, n);
            ProtocolException e = assertThrows(ProtocolException.class, () -> d.decode(cut), "cut at " + n);
            assertEquals(ErrorCode.MALFORMED, e.code());
        }
        byte[] longer = Arrays.copyOf(payload, payload.length + 1);
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class, () -> d.decode(longer)).code());
    }

    @Test
    void messagesRoundTripAndRefuseTruncation() throws ProtocolException {
        assertEquals(new SessionCodec.Open(7, "home"), SessionCodec.decodeOpen(SessionCodec.open(7, "home")));
        strict(SessionCodec.open(7, "home"), SessionCodec::decodeOpen);

        HasCodec.Request has = HasCodec.decodeRequest(HasCodec.request(3, List.of(id(1), id(2))));
        assertEquals(List.of(id(1), id(2)), has.ids());
        strict(HasCodec.request(3, List.of(id(1), id(2))), HasCodec::decodeRequest);
        boolean[] bits = new boolean[11];
        bits[0] = bits[7] = bits[10] = true;
        assertArrayEquals(bits, HasCodec.decodeResult(HasCodec.result(3, bits), 11));
        assertThrows(ProtocolException.class, () -> HasCodec.decodeResult(HasCodec.result(3, bits), 12));

        byte[] sealed = {1, 2, 3, 4, 5};
        PutCodec.Put put = PutCodec.decode(PutCodec.request(9, id(4), BlobKind.TREE, sealed));
        assertEquals(BlobKind.TREE, put.kind());
        assertEquals(id(4), put.id());
        assertArrayEquals(sealed, put.sealed());
        strict(PutCodec.request(9, id(4), BlobKind.TREE, sealed), PutCodec::decode);
        assertTrue(PutCodec.decodeDone(PutCodec.done(9, true)));

        RefsCodec.Part part = RefsCodec.decodePart(RefsCodec.part(5, true, List.of(id(1), id(9))));
        assertTrue(part.last());
        assertEquals(List.of(id(1), id(9)), part.ids());
        strict(RefsCodec.part(5, true, List.of(id(1), id(9))), RefsCodec::decodePart);
        assertEquals(id(3), RefsCodec.decodeStored(RefsCodec.stored(5, id(3))));

        SnapshotRecord rec = SnapshotRecord.create("home", "web-1", Instant.ofEpochSecond(1_700_000_000, 5), null,
                1, 2, 3, 4, 5, id(8), new byte[] {9, 9});
        assertEquals(rec, CommitCodec.decode(CommitCodec.request(1, rec)).record());
        strict(CommitCodec.request(1, rec), CommitCodec::decode);
        SnapshotId sid = rec.id();
        assertEquals(sid, CommitCodec.decodeCommitted(CommitCodec.committed(1, sid)));

        assertArrayEquals(sealed, GetBlobCodec.decodeBlob(GetBlobCodec.blob(2, sealed)));
        strict(GetBlobCodec.blob(2, sealed), GetBlobCodec::decodeBlob);
        strict(GetBlobCodec.request(2, id(6)), GetBlobCodec::decode);

        GetBlobCodec.Read read = GetBlobCodec.decodeRead(GetBlobCodec.readRequest(6, sid, id(7)));
        assertEquals(new GetBlobCodec.Read(6, sid, id(7)), read);
        strict(GetBlobCodec.readRequest(6, sid, id(7)), GetBlobCodec::decodeRead);
        assertEquals(new SessionCodec.Open(8, "home"), SessionCodec.decodeOpen(MessageType.OPEN_READ,
                SessionCodec.open(8, "home")));
        strict(SessionCodec.open(8, "home"), p -> SessionCodec.decodeOpen(MessageType.OPEN_READ, p));
        String repositoryId = "ab".repeat(32);
        KeyCheckCodec.Answer check = KeyCheckCodec.decode(KeyCheckCodec.answer(9, repositoryId, sealed));
        assertEquals(repositoryId, check.repositoryId());
        assertArrayEquals(sealed, check.check());
        strict(KeyCheckCodec.answer(9, repositoryId, sealed), KeyCheckCodec::decode);
        assertEquals(MessageType.READ_BLOB, MessageType.fromWire(35));

        RefsDeltaCodec.Part delta = RefsDeltaCodec.decode(RefsDeltaCodec.part(11, false, sid, List.of(id(1), id(2)),
                List.of(id(3))));
        assertEquals(new RefsDeltaCodec.Part(11, false, sid, List.of(id(1), id(2)), List.of(id(3))), delta);
        strict(RefsDeltaCodec.part(11, true, sid, List.of(id(1)), List.of(id(3), id(4))), RefsDeltaCodec::decode);
        strict(RefsDeltaCodec.part(11, true, sid, List.of(), List.of()), RefsDeltaCodec::decode);
        assertEquals(MessageType.PUT_REFS_DELTA, MessageType.fromWire(36));

        ErrorCodec.Error err = ErrorCodec.decode(ErrorCodec.encode(4, ErrorCode.REFUSED, "no"));
        assertEquals(new ErrorCodec.Error(4, ErrorCode.REFUSED, "no"), err);
        strict(ErrorCodec.encode(4, ErrorCode.REFUSED, "no"), ErrorCodec::decode);
    }

    @Test
    void keepaliveAndOutcomeRoundTripAndRefuseTruncation() throws ProtocolException {
        assertEquals(18, MessageType.PING.wire());
        assertEquals(19, MessageType.PONG.wire());
        assertEquals(20, MessageType.OUTCOME.wire());
        assertEquals(41, DirectionCodec.decodeKeepalive(MessageType.PING, DirectionCodec.keepalive(41)));
        strict(DirectionCodec.keepalive(41), p -> DirectionCodec.decodeKeepalive(MessageType.PONG, p));

        DirectionCodec.Outcome partial = new DirectionCodec.Outcome(3, "2 files could not be read; é");
        assertEquals(partial, DirectionCodec.decodeOutcome(DirectionCodec.outcome(1, partial)));
        strict(DirectionCodec.outcome(1, partial), DirectionCodec::decodeOutcome);
        assertEquals(new DirectionCodec.Outcome(0, ""),
                DirectionCodec.decodeOutcome(DirectionCodec.outcome(1, new DirectionCodec.Outcome(0, ""))));
        // a long text is cut to 4096 bytes on a character boundary and still decodes
        String longText = "é".repeat(3000);
        String cut = DirectionCodec.decodeOutcome(DirectionCodec.outcome(1, new DirectionCodec.Outcome(1, longText)))
                .message();
        assertEquals(4096, cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertTrue(longText.startsWith(cut));
        byte[] badUtf8 = {0, 0, 0, 1, 3, 0, 1, (byte) 0xff};
        assertEquals(ErrorCode.MALFORMED, assertThrows(ProtocolException.class,
                () -> DirectionCodec.decodeOutcome(badUtf8)).code());
        assertThrows(IllegalArgumentException.class, () -> new DirectionCodec.Outcome(256, ""));
    }

    @Test
    void aSnapshotListingIsSplitUnderTheFrameLimit() throws ProtocolException {
        List<SnapshotRecord> recs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            recs.add(SnapshotRecord.create("home", "web-1", Instant.ofEpochSecond(1_700_000_000L + i), null, i, 0, 0,
                    0, 0, id(i), new byte[300]));
        }
        List<byte[]> parts = SnapshotListCodec.parts(8, recs, 4096);
        assertTrue(parts.size() > 1, "split into " + parts.size());
        List<SnapshotRecord> back = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            assertTrue(parts.get(i).length <= 4096);
            SnapshotListCodec.Part p = SnapshotListCodec.decode(parts.get(i));
            assertEquals(i == parts.size() - 1, p.last());
            back.addAll(p.records());
        }
        assertEquals(recs, back);
        SnapshotListCodec.Part empty = SnapshotListCodec.decode(SnapshotListCodec.parts(8, List.of(), 4096).get(0));
        assertTrue(empty.last() && empty.records().isEmpty());
    }
}
