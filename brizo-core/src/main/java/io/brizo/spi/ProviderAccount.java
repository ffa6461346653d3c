package io.brizo.spi;

import io.brizo.internal.CoreSettings;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The provider's Ethereum account, from whichever setting holds its key: {@code PROVIDER_KEY},
 * {@code PROVIDER_KEYFILE} or {@code PROVIDER_ENCRYPTED_KEY} (with {@code PROVIDER_PASSWORD}). For
 * plug-ins that act as the provider (an on-chain verifier that sends transactions), so that they
 * accept the same settings as core and read a keystore only once. {@link #toString()} shows the
 * address, never the key.
 */
public final class ProviderAccount {
    private final String address;
    private final BigInteger privateKey;

    private ProviderAccount(ECKeyPair key) {
        this.address = Keys.toChecksumAddress(Keys.getAddress(key));
        this.privateKey = key.getPrivateKey();
    }

    /**
     * {@return the provider's account, or empty when no key is configured}
     *
     * @throws BrizoException of kind CONFIGURATION when the key settings are malformed, more than
     *     one is set, the keystore cannot be opened, or PROVIDER_ADDRESS is another address
     */
    public static Optional<ProviderAccount> from(Settings settings) {
        // providerAddress also checks PROVIDER_ADDRESS against the key.
        CoreSettings.providerAddress(settings);
        return CoreSettings.providerKey(settings).map(ProviderAccount::new);
    }

    /** {@return the account's address, 0x and 40 hex digits with the EIP-55 checksum} */
    public String address() {
        return address;
    }

    /** {@return the private key, 32 bytes big-endian; a new array on every call} */
    public byte[] privateKey() {
        byte[] out = new byte[32];
        byte[] raw = privateKey.toByteArray();
        // BigInteger adds a sign byte or drops leading zeros: right-align in 32 bytes.
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    @Override
    public String toString() {
        return "ProviderAccount{" + address + "}";
    }
}
