package io.brizo.internal.auth;

import static io.brizo.internal.auth.Eip191Test.AGREEMENT_ID;
import static io.brizo.internal.auth.Eip191Test.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

class RequestAuthenticatorTest {
    private final ECKeyPair consumerKey = newKey();
    private final String consumer = Eip191.addressOf(consumerKey);
    private final String checksummedConsumer = Keys.toChecksumAddress(consumer);
    private final String text = consumer + AGREEMENT_ID;

    @Test
    void consumersBrizoFormSignatureIsAcceptedAndTheAddressNormalised() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), false);
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, consumerKey);
        assertEquals(consumer, auth.authenticate(checksummedConsumer, AGREEMENT_ID, signature, null));
    }

    @Test
    void consumersNonceSignatureIsAccepted() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String signature = Eip191.signNonceForm(text, 1_700_000_000_000L, consumerKey);
        assertEquals(consumer, auth.authenticate(checksummedConsumer, text, signature, 1_700_000_000_000L));
    }

    @Test
    void nonceRequiredRefusesTheBrizoForm() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, consumerKey);
        BrizoException e = unauthenticated(() -> auth.authenticate(consumer, AGREEMENT_ID, signature, null));
        assertTrue(e.getMessage().startsWith("this publisher accepts only nonce-signed requests: add a nonce"));
    }

    @Test
    void replayedNonceIsRefused() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String signature = Eip191.signNonceForm(text, 42, consumerKey);
        auth.authenticate(consumer, text, signature, 42L);
        BrizoException e = unauthenticated(() -> auth.authenticate(consumer, text, signature, 42L));
        assertEquals(
                "nonce 42 is not greater than the last one accepted for this address; sign again with a new nonce",
                e.getMessage());
    }

    @Test
    void olderNonceIsRefusedAfterANewerOne() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String older = Eip191.signNonceForm(text, 41, consumerKey);
        auth.authenticate(consumer, text, Eip191.signNonceForm(text, 42, consumerKey), 42L);
        unauthenticated(() -> auth.authenticate(consumer, text, older, 41L));
        assertEquals(consumer, auth.authenticate(consumer, text, Eip191.signNonceForm(text, 43, consumerKey), 43L));
    }

    @Test
    void replayedNonceIsRefusedAfterARestartWithAFileStore(@TempDir Path dir) {
        String signature = Eip191.signNonceForm(text, 42, consumerKey);
        try (NonceStore store = NonceStore.file(dir.resolve("nonces"))) {
            new RequestAuthenticator(store, true).authenticate(consumer, text, signature, 42L);
        }
        try (NonceStore store = NonceStore.file(dir.resolve("nonces"))) {
            var auth = new RequestAuthenticator(store, true);
            unauthenticated(() -> auth.authenticate(consumer, text, signature, 42L));
        }
    }

    @Test
    void signatureOfAnotherKeyIsRejectedWithoutEchoingIt() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), false);
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, newKey());
        BrizoException e = unauthenticated(() -> auth.authenticate(consumer, AGREEMENT_ID, signature, null));
        assertEquals("signature does not match consumerAddress", e.getMessage());
    }

    @Test
    void signatureOverAnotherTextIsRejected() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), false);
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, consumerKey);
        unauthenticated(() -> auth.authenticate(consumer, "0x" + AGREEMENT_ID, signature, null));
    }

    @Test
    void signatureForOneNonceIsRejectedWithAnother() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String signature = Eip191.signNonceForm(text, 42, consumerKey);
        unauthenticated(() -> auth.authenticate(consumer, text, signature, 43L));
        assertEquals(consumer, auth.authenticate(consumer, text, signature, 42L));
    }

    @Test
    void brizoFormSignatureDoesNotPassAsNonceForm() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), false);
        String signature = Eip191.signBrizoForm(text + 42, consumerKey);
        unauthenticated(() -> auth.authenticate(consumer, text, signature, 42L));
    }

    @Test
    void strangersSignatureDoesNotBurnTheConsumersNonce() {
        AtomicInteger storeCalls = new AtomicInteger();
        NonceStore memory = NonceStore.inMemory();
        NonceStore counting = (address, nonce) -> {
            storeCalls.incrementAndGet();
            return memory.tryAccept(address, nonce);
        };
        var auth = new RequestAuthenticator(counting, true);
        String strangers = Eip191.signNonceForm(text, 1_000, newKey());
        unauthenticated(() -> auth.authenticate(consumer, text, strangers, 1_000L));
        assertEquals(0, storeCalls.get());
        String consumers = Eip191.signNonceForm(text, 1_000, consumerKey);
        assertEquals(consumer, auth.authenticate(consumer, text, consumers, 1_000L));
    }

    @Test
    void unavailableNonceStoreFailsClosed() {
        NonceStore broken = (address, nonce) -> {
            throw new BrizoException(ErrorKind.UNAVAILABLE, "disk full");
        };
        var auth = new RequestAuthenticator(broken, true);
        String signature = Eip191.signNonceForm(text, 7, consumerKey);
        BrizoException e = assertThrows(BrizoException.class, () -> auth.authenticate(consumer, text, signature, 7L));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
    }

    @Test
    void malformedInputsAreInvalidRequests() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), false);
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, consumerKey);
        invalid(() -> auth.authenticate(consumer.substring(0, 41), AGREEMENT_ID, signature, null));
        invalid(() -> auth.authenticate(null, AGREEMENT_ID, signature, null));
        invalid(() -> auth.authenticate(consumer, null, signature, null));
        invalid(() -> auth.authenticate(consumer, AGREEMENT_ID, signature.substring(0, 128), null));
        invalid(() -> auth.authenticate(consumer, AGREEMENT_ID, null, null));
        invalid(() -> auth.authenticate(consumer, text, Eip191.signNonceForm(text, -1, consumerKey), -1L));
    }

    @Test
    void malformedAddressIsReportedBeforeTheMissingNonce() {
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        BrizoException e = invalid(() -> auth.authenticate("0x1234", AGREEMENT_ID, "0x00", null));
        assertFalse(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void requestNonceSignedByEthersIsAuthenticatedOnce() throws Exception {
        JsonNode vector;
        try (InputStream in = getClass().getResourceAsStream("/vectors/eip191-ethers.json")) {
            vector = StreamSupport.stream(
                            new ObjectMapper().readTree(in).get("vectors").spliterator(), false)
                    .filter(v -> v.get("form").asText().equals("nonce"))
                    .findFirst()
                    .orElseThrow();
        }
        var auth = new RequestAuthenticator(NonceStore.inMemory(), true);
        String address = vector.get("address").asText();
        String signedText = vector.get("text").asText();
        String signature = vector.get("signature").asText();
        long nonce = Long.parseLong(vector.get("nonce").asText());
        assertEquals(address.toLowerCase(Locale.ROOT), auth.authenticate(address, signedText, signature, nonce));
        unauthenticated(() -> auth.authenticate(address, signedText, signature, nonce));
    }

    private static BrizoException unauthenticated(Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind(), e.getMessage());
        assertFalse(e.retryable());
        return e;
    }

    private static BrizoException invalid(Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), e.getMessage());
        return e;
    }
}
