// An independent Confluent-wire-format producer (kafkajs + @kafkajs/confluent-schema-registry), sharing no
// code with sluice: proves that what other teams' apps produce is what the platform reads.
// usage: node produce.js BOOTSTRAP REGISTRY_URL TOPIC SCHEMA_FILE START_ISO COUNT CLOSE_AT_ISO
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const fs = require('fs');

const [bootstrap, registryUrl, topic, schemaFile, startIso, countText, closeIso] = process.argv.slice(2);

// Avro decimal: big-endian two's complement of the unscaled value (cents).
function decimalBytes(cents) {
  let hex = BigInt(cents).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let buf = Buffer.from(hex, 'hex');
  if (buf[0] & 0x80) buf = Buffer.concat([Buffer.from([0]), buf]);
  return buf;
}

(async () => {
  const kafka = new Kafka({ clientId: 'independent-producer', brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: registryUrl });
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: fs.readFileSync(schemaFile, 'utf8') },
    { subject: topic + '-value' });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
  await admin.disconnect();

  const start = Date.parse(startIso);
  const messages = [];
  const count = parseInt(countText, 10);
  for (let i = 0; i < count; i++) {
    const tx = { transactionId: 'js-' + i, eventTime: start + i * 1000, customerId: 'c-' + (i % 7),
                 terminalId: 't-' + (i % 11), amount: decimalBytes(1234 + i) };
    messages.push({ key: tx.customerId, value: await registry.encode(id, tx), partition: i % partitions });
  }
  // One record per partition far past the rest, so every earlier window closes.
  for (let p = 0; p < partitions; p++) {
    const tx = { transactionId: 'js-close-' + p, eventTime: Date.parse(closeIso), customerId: 'c-x',
                 terminalId: 't-x', amount: decimalBytes(100) };
    messages.push({ key: 'c-x', value: await registry.encode(id, tx), partition: p });
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
  console.log(JSON.stringify({ schemaId: id, sent: messages.length }));
})().catch((e) => { console.error(e); process.exit(1); });
