package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.internal.compute.receipt.CanonicalJson;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Checks a compute receipt as any consumer would: its {@code hash} is keccak256 of the RFC 8785
 * bytes of its statement, and the EIP-191 signature over that hash recovers, with web3j, the
 * provider's address. For tests of compute backends and bindings.
 */
public final class ReceiptCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReceiptCheck() {}

    /**
     * {@return the statement of the receipt {@code envelope}, after asserting that its hash is that
     * of its canonical bytes and that its signature recovers {@code provider}}
     *
     * @param envelope the receipt as served: {@code {"hash", "signature", "signer", "statement"}}
     * @param provider the provider's address, in any case
     */
    public static JsonNode verifiedStatement(byte[] envelope, String provider) throws IOException {
        JsonNode receipt = JSON.readTree(envelope);
        JsonNode statement = receipt.get("statement");
        byte[] canonical = CanonicalJson.bytes(statement);
        assertEquals(
                "0x" + HexFormat.of().formatHex(Hash.sha3(canonical)),
                receipt.get("hash").asText(),
                "the receipt's hash is keccak256 of its statement's canonical bytes");
        assertEquals(
                provider.toLowerCase(Locale.ROOT),
                signer(canonical, receipt.get("signature").asText()),
                "the signer recovered from the receipt's signature");
        return statement;
    }

    /**
     * {@return the address, {@code 0x} and lower case, whose EIP-191 signature of keccak256({@code
     * canonical}) {@code signature} is}
     */
    public static String signer(byte[] canonical, String signature) {
        byte[] sig = HexFormat.of().parseHex(signature.substring(2));
        Sign.SignatureData data =
                new Sign.SignatureData(sig[64], Arrays.copyOfRange(sig, 0, 32), Arrays.copyOfRange(sig, 32, 64));
        try {
            BigInteger key = Sign.signedPrefixedMessageToKey(Hash.sha3(canonical), data);
            return "0x" + Keys.getAddress(key);
        } catch (java.security.SignatureException e) {
            throw new AssertionError("the signature recovers no key: " + e.getMessage(), e);
        }
    }
}
