package io.brizo.storage.ipfs;

import java.net.URI;
import java.util.Map;

/**
 * The contract in trust mode ({@code IPFS_TRUST_GATEWAY=true}) against an honest gateway: the
 * unsafe mode still reads files and ranges correctly through plain path requests.
 */
class TrustModeContractTest extends IpfsContractSupport {
    @Override
    Map<String, String> driverSettings() {
        return Map.of("IPFS_TRUST_GATEWAY", "true");
    }

    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        return URI.create("ipfs://" + gateway.add(content, IpfsGateway.Layout.HELIA));
    }
}
