/** An SNS topic for alerts: KMS-encrypted with its own key, TLS-only, emailed to one address. */

import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly topicName: string;
  readonly email: string;
  /**
   * Service principals that publish to the topic, for example `events.amazonaws.com`.
   * @default - none besides IAM principals granted explicitly
   */
  readonly publishers?: readonly string[];
}

export class AlertTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the ${props.topicName} topic`,
      enableKeyRotation: true,
    });
    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new EmailSubscription(props.email));
    for (const service of props.publishers ?? []) {
      const principal = new ServicePrincipal(service);
      this.key.grant(principal, 'kms:GenerateDataKey*', 'kms:Decrypt');
      this.topic.grantPublish(principal);
    }
  }
}
