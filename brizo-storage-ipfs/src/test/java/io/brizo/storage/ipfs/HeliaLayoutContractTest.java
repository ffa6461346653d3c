package io.brizo.storage.ipfs;

import java.net.URI;

/**
 * The contract with files added the way Helia adds them by default: CIDv1 (base32), raw leaves,
 * 1 MiB chunks, balanced DAG. The contract's 3 MiB object is a root with four raw leaves.
 */
class HeliaLayoutContractTest extends IpfsContractSupport {
    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        return URI.create("ipfs://" + gateway.add(content, IpfsGateway.Layout.HELIA));
    }
}
