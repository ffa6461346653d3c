package io.brizo;

import io.brizo.internal.auth.Eip191;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** Consumer keys and EIP-191 signatures for tests, through the library's own signing helpers. */
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
        return new TestKeys(Eip191.keyPairOf(privateKeyHex));
    }

    /** {@return the lowercase 0x address} */
    public String address() {
        return Eip191.addressOf(pair);
    }

    /** {@return a Brizo-form personal-sign signature over {@code text}} */
    public String signText(String text) {
        return Eip191.signBrizoForm(text, pair);
    }

    /** {@return a nonce-form signature: personal-sign over keccak256(text + nonce)} */
    public String signWithNonce(String text, long nonce) {
        return Eip191.signNonceForm(text, nonce, pair);
    }
}
