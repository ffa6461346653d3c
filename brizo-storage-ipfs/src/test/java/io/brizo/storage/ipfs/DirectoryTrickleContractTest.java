package io.brizo.storage.ipfs;

import java.net.URI;
import java.util.Map;

/**
 * The contract with every file inside a directory ({@code ipfs://<dir>/sub/<name>}), added with
 * tiny chunks in a trickle DAG with at most 4 links per node, so that even the contract's
 * 1000-byte objects span several levels of blocks and every range crosses block boundaries;
 * reading ahead is off, so blocks are fetched one at a time.
 */
class DirectoryTrickleContractTest extends IpfsContractSupport {
    @Override
    Map<String, String> driverSettings() {
        return Map.of("IPFS_PREFETCH_BLOCKS", "0");
    }

    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        int chunk = content.length <= 64 * 1024 ? 100 : 16 * 1024;
        IpfsGateway.Layout layout = new IpfsGateway.Layout(chunk, 1, true, "trickle", 4);
        String file = gateway.add(content, layout);
        String dir = gateway.directory(Map.of("sub/" + name, file, "other.txt", file), 1);
        return URI.create("ipfs://" + dir + "/sub/" + name);
    }

    @Override
    protected URI missingObject() throws Exception {
        String file = gateway.add(new byte[] {1, 2, 3}, IpfsGateway.Layout.HELIA);
        String dir = gateway.directory(Map.of("sub/present.bin", file), 1);
        return URI.create("ipfs://" + dir + "/sub/absent.bin");
    }
}
