package dev.sluice.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CipherOrderTest {

    static final String OPENSSH_DEFAULT = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
            + "aes128-gcm@openssh.com,aes256-gcm@openssh.com";

    @Test
    void theAesGcmCiphersMoveToTheFrontEachGroupInItsOrder() {
        assertEquals(Optional.of("aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"
                + "aes128-ctr,aes192-ctr,aes256-ctr"), CipherOrder.aesGcmFirst(OPENSSH_DEFAULT));
        assertEquals(Optional.of("aes256-gcm@openssh.com,aes128-ctr"),
                CipherOrder.aesGcmFirst("aes128-ctr,aes256-gcm@openssh.com"));
    }

    @Test
    void nothingIsAskedForWhenTheOrderWouldNotChangeOrThereIsNoAesGcm() {
        assertEquals(Optional.empty(), CipherOrder.aesGcmFirst("aes256-gcm@openssh.com,aes128-ctr"));
        assertEquals(Optional.empty(), CipherOrder.aesGcmFirst("chacha20-poly1305@openssh.com,aes256-ctr"));
        assertEquals(Optional.empty(), CipherOrder.aesGcmFirst("aes128-gcm@openssh.com"));
    }

    @Test
    void theAesFlagIsReadFromX86FlagsAndArmFeatures() {
        assertTrue(CipherOrder.cpuHasAes(List.of("processor\t: 0", "flags\t\t: fpu vme sse2 aes avx2 sha_ni")));
        assertTrue(CipherOrder.cpuHasAes(List.of("Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32")));
        assertFalse(CipherOrder.cpuHasAes(List.of("flags\t\t: fpu vme sse2 vaes_like avx2", "model name\t: aes")));
        assertFalse(CipherOrder.cpuHasAes(List.of()));
    }

    @Test
    void theConfiguredCiphersComeFromSshGAndAJobsOptionIsSeenInAnyCase() {
        assertEquals(Optional.of("aes128-ctr,aes256-ctr"),
                CipherOrder.effective(List.of("user backup", "ciphers aes128-ctr,aes256-ctr", "port 22")));
        assertEquals(Optional.empty(), CipherOrder.effective(List.of("user backup")));
        assertTrue(CipherOrder.chosenIn(List.of("StrictHostKeyChecking=yes", "CIPHERS=aes128-ctr")));
        assertFalse(CipherOrder.chosenIn(List.of("StrictHostKeyChecking=yes", "CiphersX=1")));
    }
}
