package io.brizo;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/** Consumer keys and EIP-191 signatures for tests, made with web3j directly. */
public record TestKeys(ECKeyPair pair) {
    /** {@return a fresh random key} */
    public static TestKeys random() {
        try {
            return new TestKeys(Keys.createEcKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the key for a fixed private key} */
    public static TestKeys of(String privateKeyHex) {
        return new TestKeys(ECKeyPair.create(new BigInteger(privateKeyHex.replaceFirst("^0x", ""), 16)));
    }

    /** {@return the lowercase 0x address} */
    public String address() {
        return "0x" + Keys.getAddress(pair);
    }

    /** {@return a Brizo-form personal-sign signature over {@code text}} */
    public String signText(String text) {
        return hex(Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), pair));
    }

    /** {@return a nonce-form signature: personal-sign over keccak256(text + nonce)} */
    public String signWithNonce(String text, long nonce) {
        byte[] hash = Hash.sha3((text + nonce).getBytes(StandardCharsets.UTF_8));
        return hex(Sign.signPrefixedMessage(hash, pair));
    }

    private static String hex(Sign.SignatureData s) {
        byte[] out = new byte[65];
        System.arraycopy(s.getR(), 0, out, 0, 32);
        System.arraycopy(s.getS(), 0, out, 32, 32);
        out[64] = s.getV()[0];
        return Numeric.toHexString(out);
    }
}
