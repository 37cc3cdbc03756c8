// An independent Confluent-wire-format consumer (kafkajs + @kafkajs/confluent-schema-registry), sharing
// no code with sluice: proves that what the platform writes, any team's app can read with the registry.
// Reads committed records only (kafkajs' default), from the beginning, until COUNT records or TIMEOUT_MS.
// usage: node consume.js BOOTSTRAP REGISTRY_URL TOPIC COUNT TIMEOUT_MS
// prints: {"read": n, "schemaIds": [...], "records": [{"key": .., "value": {...decoded}}]}
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

const [bootstrap, registryUrl, topic, countText, timeoutText] = process.argv.slice(2);

(async () => {
  const kafka = new Kafka({ clientId: 'independent-consumer', brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: registryUrl });
  const consumer = kafka.consumer({ groupId: 'independent-consumer-' + Date.now() });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const count = parseInt(countText, 10);
  const records = [];
  const schemaIds = new Set();
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, parseInt(timeoutText, 10));
    consumer.run({
      eachMessage: async ({ message }) => {
        schemaIds.add(message.value.readInt32BE(1));
        const value = await registry.decode(message.value);
        records.push({ key: message.key.toString(), value });
        if (records.length >= count) { clearTimeout(timer); resolve(); }
      },
    });
  });
  await consumer.disconnect();
  console.log(JSON.stringify({ read: records.length, schemaIds: [...schemaIds], records },
    (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
})().catch((e) => { console.error(e); process.exit(1); });
