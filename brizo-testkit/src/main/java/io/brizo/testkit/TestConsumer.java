package io.brizo.testkit;

import io.brizo.http.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * A consumer for end-to-end tests: a fresh Ethereum key, Brizo-form signatures, and downloads
 * through the consume API that hash the body as it arrives, never keeping it; each answer's status
 * and headers are checked against the API's OpenAPI document ({@link OpenApiConformance}).
 */
public final class TestConsumer {
    private final ECKeyPair key;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private TestConsumer(ECKeyPair key) {
        this.key = key;
    }

    /** {@return a consumer with a new random key} */
    public static TestConsumer random() {
        try {
            return new TestConsumer(Keys.createEcKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a key", e);
        }
    }

    /** {@return the consumer's address, lowercase with 0x} */
    public String address() {
        return "0x" + Keys.getAddress(key);
    }

    /** {@return an EIP-191 personal signature of {@code text} (Brizo form), 0x hex with v 27/28} */
    public String sign(String text) {
        return personalSign(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@return a nonce-form (replay-safe) signature of {@code text} and {@code nonce}: an EIP-191
     * personal signature over keccak256 of {@code text} followed by the decimal nonce, 0x hex with
     * v 27/28} Send it with the same {@code nonce} parameter; a publisher accepts each nonce of an
     * address once, and only if it is greater than the last one it accepted.
     */
    public String signWithNonce(String text, long nonce) {
        return personalSign(Hash.sha3((text + nonce).getBytes(StandardCharsets.UTF_8)));
    }

    private String personalSign(byte[] message) {
        Sign.SignatureData s = Sign.signPrefixedMessage(message, key);
        byte[] sig = new byte[65];
        System.arraycopy(s.getR(), 0, sig, 0, 32);
        System.arraycopy(s.getS(), 0, sig, 32, 32);
        sig[64] = s.getV()[0];
        return "0x" + HexFormat.of().formatHex(sig);
    }

    /**
     * What a download brought.
     *
     * @param status the HTTP status
     * @param contentLength the Content-Length header, or -1
     * @param bytes the bytes received
     * @param sha256 their SHA-256 as lowercase hex
     */
    public record Download(int status, long contentLength, long bytes, String sha256) {}

    /**
     * Downloads file {@code index} of the asset of {@code agreementId} from the publisher at
     * {@code base}, hashing it as it arrives.
     *
     * @param range a {@code Range} header value such as {@code bytes=0-99}, or null
     */
    public Download consume(URI base, String agreementId, int index, String range)
            throws IOException, InterruptedException {
        URI uri = URI.create(base + Routes.CONSUME + "?serviceAgreementId=" + agreementId + "&consumerAddress="
                + address() + "&signature=" + sign(agreementId) + "&index=" + index);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        if (range != null) {
            request.header("Range", range);
        }
        // The status and headers are held to the API's OpenAPI document; the body is hashed, not kept.
        HttpResponse<InputStream> response = OpenApiConformance.forApiAt(base)
                .check(http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        long bytes = 0;
        byte[] buffer = new byte[256 * 1024];
        try (InputStream body = response.body()) {
            for (int n; (n = body.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                bytes += n;
            }
        }
        return new Download(
                response.statusCode(),
                response.headers().firstValueAsLong("Content-Length").orElse(-1),
                bytes,
                HexFormat.of().formatHex(sha.digest()));
    }
}
