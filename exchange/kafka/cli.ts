/**
 * `npm run kafka -- start|stop|status`: the project's three-broker cluster (see cluster.ts).
 */
import { bootstrapBrokers, clusterStatus, startCluster, stopCluster } from './cluster.ts';

const command = process.argv[2];

async function main(): Promise<void> {
  switch (command) {
    case 'start':
      await startCluster();
      console.log(`Kafka cluster up: ${bootstrapBrokers().join(',')}`);
      break;
    case 'stop':
      await stopCluster();
      console.log('Kafka cluster stopped');
      break;
    case 'status': {
      const brokers = await clusterStatus();
      for (const b of brokers) {
        const state = b.pid === undefined ? 'stopped' : b.listening ? 'running' : 'starting';
        console.log(
          `broker ${b.nodeId}  127.0.0.1:${b.port}  ${state}${b.pid === undefined ? '' : `  pid ${b.pid}`}`,
        );
      }
      if (!brokers.every((b) => b.pid !== undefined && b.listening)) process.exitCode = 3;
      break;
    }
    default:
      console.error(`usage: npm run kafka -- start|stop|status (got '${command ?? ''}')`);
      process.exitCode = 2;
  }
}

await main();
