// Produces eip191-ethers.json: personal-sign (EIP-191) signatures made by ethers.js v6, so that
// the Java tests check web3j-based recovery against an independent implementation.
//
// Run once at development time, never from the Maven build:
//   mkdir -p /tmp/ethers && cd /tmp/ethers && npm init -y && npm i ethers@6
//   NODE_PATH=/tmp/ethers/node_modules node make-vectors.mjs > eip191-ethers.json
// (run from this directory; NODE_PATH is not honoured by ESM imports, hence createRequire.)
//
// The keys are the public development keys of anvil/hardhat accounts 0 and 1: never fund them.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? "/tmp/ethers/node_modules", "x.js"));
const ethers = require("ethers");

const keys = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];
const agreementId = "b7ab65c9d8a4b2e6f1c0a9d8e7f6a5b4c3d2e1f00112233445566778899aabbc";
const documentId = "0e48ad0c07b6465ab3f4a5a6b2a1b7c2d9e0f1a2b3c4d5e6f708192a3b4c5d6e";

const vectors = [];
for (const key of keys) {
  const wallet = new ethers.Wallet(key);
  const brizoTexts = [
    agreementId,
    "0x" + agreementId,
    // compute start in the Brizo form signs consumer address + agreement id
    wallet.address + agreementId,
    // non-ASCII: the prefix must carry the UTF-8 byte length, not the character count
    "Zürich ✓ " + agreementId,
    "",
  ];
  for (const text of brizoTexts) {
    const signature = await wallet.signMessage(text);
    vectors.push({
      form: "brizo",
      privateKey: key,
      address: wallet.address,
      text,
      signature,
      recoveredByEthers: ethers.verifyMessage(text, signature),
    });
  }
  const nonceCases = [
    { text: wallet.address + agreementId, nonce: "1700000000000" },
    { text: documentId, nonce: "1" },
    { text: agreementId + "Zürich", nonce: "9007199254740993" },
  ];
  for (const { text, nonce } of nonceCases) {
    const digest = ethers.getBytes(ethers.keccak256(ethers.toUtf8Bytes(text + nonce)));
    const signature = await wallet.signMessage(digest);
    vectors.push({
      form: "nonce",
      privateKey: key,
      address: wallet.address,
      text,
      nonce,
      signature,
      recoveredByEthers: ethers.verifyMessage(digest, signature),
    });
  }
}

console.log(JSON.stringify({ generator: "ethers " + ethers.version, vectors }, null, 2));
