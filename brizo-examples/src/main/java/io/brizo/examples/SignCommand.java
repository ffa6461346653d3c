package io.brizo.examples;

import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * The {@code sign} command: signs a service agreement id as a consumer would (EIP-191 personal
 * sign), for scripts and benchmarks that call the consume route with curl.
 *
 * <p>{@code sign AGREEMENT_ID} prints one line, {@code <consumer address> <signature>}. The key is
 * read from {@code BRIZO_CONSUMER_KEY} (64 hex digits, {@code 0x} optional) if set, so that it
 * never shows in a process list; otherwise a fresh key is generated and used once.
 */
final class SignCommand {
    static final String KEY_VARIABLE = "BRIZO_CONSUMER_KEY";

    // An agreement id, or a DID for the DID form of consume (direct permission on the DID).
    private static final Pattern AGREEMENT_ID = Pattern.compile("(0x)?[0-9a-fA-F]{64}|did:op:[0-9a-fA-F]{64}");
    private static final Pattern PRIVATE_KEY = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    private SignCommand() {}

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) throws Exception {
        if (args.length != 1 || !AGREEMENT_ID.matcher(args[0]).matches()) {
            err.println("usage: sign AGREEMENT_ID   (64 hex digits, or did:op: and 64 hex digits; key from "
                    + KEY_VARIABLE
                    + " or a fresh one); prints: <consumer address> <signature>");
            return 2;
        }
        String configured = environment.get(KEY_VARIABLE);
        ECKeyPair key;
        if (configured == null || configured.isBlank()) {
            key = Keys.createEcKeyPair();
        } else if (PRIVATE_KEY.matcher(configured.trim()).matches()) {
            key = ECKeyPair.create(new BigInteger(configured.trim().replaceFirst("^0x", ""), 16));
        } else {
            err.println(KEY_VARIABLE + " must be 64 hex digits (0x optional)");
            return 2;
        }
        out.println(address(key) + " " + sign(key, args[0]));
        return 0;
    }

    /** {@return the {@code 0x}-prefixed lower-case address of {@code key}} */
    static String address(ECKeyPair key) {
        return "0x" + Keys.getAddress(key);
    }

    /** {@return the 65-byte EIP-191 personal signature of {@code text}, as {@code 0x} + hex} */
    static String sign(ECKeyPair key, String text) {
        Sign.SignatureData s = Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), key);
        byte[] sig = new byte[65];
        System.arraycopy(s.getR(), 0, sig, 0, 32);
        System.arraycopy(s.getS(), 0, sig, 32, 32);
        sig[64] = s.getV()[0];
        return "0x" + HexFormat.of().formatHex(sig);
    }
}
