/** IAM policy documents as plain JSON, the shape AWS Organizations stores and the SCP tests evaluate. */

export type StringOrList = string | readonly string[];

export interface PolicyStatementJson {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource: StringOrList;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, StringOrList>>>>;
}

export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}
