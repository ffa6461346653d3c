package io.brizo.storage.ipfs;

import java.net.URI;

/**
 * The contract with files added the way kubo adds them by default: CIDv0 ({@code Qm...},
 * base58btc), UnixFS (dag-pb) leaves, 256 KiB chunks, balanced DAG with 174 links per node.
 */
class KuboLayoutContractTest extends IpfsContractSupport {
    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        return URI.create("ipfs://" + gateway.add(content, IpfsGateway.Layout.KUBO));
    }
}
