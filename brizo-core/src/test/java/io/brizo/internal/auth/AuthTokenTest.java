package io.brizo.internal.auth;

import static io.brizo.internal.auth.Eip191Test.AGREEMENT_ID;
import static io.brizo.internal.auth.Eip191Test.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;

/** Brizo's auth token: {@code <signature>-<unix seconds>} over "Ocean Protocol Authentication\n<seconds>". */
class AuthTokenTest {
    static final long ISSUED = 1_800_000_000L;

    final ECKeyPair consumerKey = newKey();
    final String consumer = Eip191.addressOf(consumerKey);

    RequestAuthenticator at(long nowSeconds, boolean nonceRequired) {
        return new RequestAuthenticator(
                NonceStore.inMemory(),
                nonceRequired,
                RequestAuthenticator.DEFAULT_TOKEN_MESSAGE,
                Duration.ofHours(24),
                Clock.fixed(Instant.ofEpochSecond(nowSeconds), ZoneOffset.UTC));
    }

    String token(String message, long seconds) {
        return Eip191.signBrizoForm(message + "\n" + seconds, consumerKey) + "-" + seconds;
    }

    @Test
    void freshTokenIsAcceptedInsteadOfASignature() {
        String token = token("Ocean Protocol Authentication", ISSUED);
        assertEquals(consumer, at(ISSUED + 60, false).authenticate(consumer, AGREEMENT_ID, token, null));
    }

    @Test
    void tokenWithoutThe0xPrefixIsAccepted() {
        String token = token("Ocean Protocol Authentication", ISSUED).substring(2);
        assertEquals(consumer, at(ISSUED, false).authenticate(consumer, AGREEMENT_ID, token, null));
    }

    @Test
    void expiredTokenIsRefused() {
        String token = token("Ocean Protocol Authentication", ISSUED);
        BrizoException e = assertThrows(
                BrizoException.class, () -> at(ISSUED + Duration.ofHours(24).toSeconds() + 1, false)
                        .authenticate(consumer, AGREEMENT_ID, token, null));
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind());
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void tokenDatedFarInTheFutureIsRefused() {
        String token = token("Ocean Protocol Authentication", ISSUED + 3600);
        BrizoException e = assertThrows(
                BrizoException.class, () -> at(ISSUED, false).authenticate(consumer, AGREEMENT_ID, token, null));
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind());
    }

    @Test
    void tokenOverAnotherMessageIsRefused() {
        String token = token("Some Other Authentication", ISSUED);
        BrizoException e = assertThrows(
                BrizoException.class, () -> at(ISSUED, false).authenticate(consumer, AGREEMENT_ID, token, null));
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind());
    }

    @Test
    void configuredMessageIsTheOneThatCounts() {
        var auth = new RequestAuthenticator(
                NonceStore.inMemory(),
                false,
                "My Market Login",
                Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(ISSUED), ZoneOffset.UTC));
        assertEquals(consumer, auth.authenticate(consumer, AGREEMENT_ID, token("My Market Login", ISSUED), null));
    }

    @Test
    void nonceOnlyPublisherRefusesTokens() {
        String token = token("Ocean Protocol Authentication", ISSUED);
        BrizoException e = assertThrows(
                BrizoException.class, () -> at(ISSUED, true).authenticate(consumer, AGREEMENT_ID, token, null));
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind());
    }

    @Test
    void tokenOfAnotherConsumerIsRefused() {
        String token = token("Ocean Protocol Authentication", ISSUED);
        String other = Eip191.addressOf(newKey());
        BrizoException e = assertThrows(
                BrizoException.class, () -> at(ISSUED, false).authenticate(other, AGREEMENT_ID, token, null));
        assertEquals(ErrorKind.UNAUTHENTICATED, e.kind());
    }
}
