// Produces keystore-ethers.json: an Ethereum keystore v3 written by ethers.js v6, so that the Java
// tests check that PROVIDER_KEYFILE / PROVIDER_ENCRYPTED_KEY open a keystore made by an independent
// implementation (web3j both writes and reads the tests' other keystores).
//
// Run once at development time, never from the Maven build:
//   mkdir -p /tmp/ethers && cd /tmp/ethers && npm init -y && npm i ethers@6
//   NODE_PATH=/tmp/ethers/node_modules node make-keystores.mjs > keystore-ethers.json
// (run from this directory; NODE_PATH is not honoured by ESM imports, hence createRequire.)
//
// scrypt N=4096 instead of ethers' default 131072 keeps the test fast; the format is the same.
// The key is the public development key of anvil/hardhat account 2: never fund it.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? "/tmp/ethers/node_modules", "x.js"));
const ethers = require("ethers");

const privateKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const password = "test-only password, not a secret";
const wallet = new ethers.Wallet(privateKey);
const keystore = ethers.encryptKeystoreJsonSync(
  { address: wallet.address, privateKey },
  password,
  { scrypt: { N: 4096 } },
);
// Read it back with ethers itself, so the fixture is known to open.
const back = ethers.decryptKeystoreJsonSync(keystore, password);
if (back.address !== wallet.address) throw new Error("ethers did not read back its own keystore");

console.log(JSON.stringify({
  generator: "ethers " + ethers.version,
  address: wallet.address,
  password,
  keystore,
}, null, 2));
