package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

class SignCommandTest {
    private static final String AGREEMENT = "0123456789abcdef".repeat(4);
    private static final String KEY = "0x" + "11".repeat(32);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsTheAddressOfTheConfiguredKeyAndASignatureThatRecoversToIt() throws Exception {
        int code = run(Map.of(SignCommand.KEY_VARIABLE, KEY), AGREEMENT);

        assertEquals(0, code, text(err));
        String[] fields = text(out).trim().split(" ");
        assertEquals(2, fields.length, text(out));
        String expectedAddress =
                "0x" + Keys.getAddress(Sign.publicKeyFromPrivate(new BigInteger(KEY.substring(2), 16)));
        assertEquals(expectedAddress, fields[0]);
        assertEquals(expectedAddress, recoverSigner(AGREEMENT, fields[1]));
    }

    @Test
    void withoutAConfiguredKeySignsWithAFreshOne() throws Exception {
        int code = run(Map.of(), AGREEMENT);

        assertEquals(0, code, text(err));
        String[] fields = text(out).trim().split(" ");
        assertEquals(fields[0], recoverSigner(AGREEMENT, fields[1]));
    }

    @Test
    void signsADidAsTheTextOfTheDidFormOfConsume() throws Exception {
        String did = "did:op:" + AGREEMENT;
        int code = run(Map.of(SignCommand.KEY_VARIABLE, KEY), did);

        assertEquals(0, code, text(err));
        String[] fields = text(out).trim().split(" ");
        assertEquals(fields[0], recoverSigner(did, fields[1]));
    }

    @Test
    void refusesAnythingButOneAgreementIdAndABadKey() throws Exception {
        assertEquals(2, run(Map.of()));
        assertEquals(2, run(Map.of(), "not-an-agreement-id"));
        assertEquals(2, run(Map.of(), "did:op:1234"));
        assertEquals(2, run(Map.of(SignCommand.KEY_VARIABLE, "xyz"), AGREEMENT));
        assertEquals("", text(out));
        assertTrue(text(err).contains(SignCommand.KEY_VARIABLE), text(err));
    }

    private int run(Map<String, String> environment, String... args) throws Exception {
        return SignCommand.run(
                args,
                environment,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String recoverSigner(String text, String signature) throws Exception {
        byte[] sig = HexFormat.of().parseHex(signature.substring(2));
        assertEquals(65, sig.length);
        byte[] r = Arrays.copyOfRange(sig, 0, 32);
        byte[] s = Arrays.copyOfRange(sig, 32, 64);
        assertTrue(sig[64] == 27 || sig[64] == 28, "v is 27 or 28");
        BigInteger publicKey = Sign.signedPrefixedMessageToKey(
                text.getBytes(StandardCharsets.UTF_8), new Sign.SignatureData(sig[64], r, s));
        return "0x" + Keys.getAddress(publicKey);
    }

    private static String text(ByteArrayOutputStream buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
