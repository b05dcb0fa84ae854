/** The AWS variables the collector (or X-Ray's daemon) and CloudWatch Logs read, with their `.env.example` comments. */
export const AWS_PLACEHOLDERS: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'AWS access key id for X-Ray and CloudWatch Logs (the collector, or the X-Ray daemon, signs with it).',
  AWS_SECRET_ACCESS_KEY: 'AWS secret access key that goes with AWS_ACCESS_KEY_ID. Never commit it.',
  AWS_DEFAULT_REGION: 'AWS region for X-Ray and CloudWatch Logs, e.g. us-east-1.',
};

/** Comments earlier obs versions wrote above a placeholder: still obs's marker (a re-run may take the line out). */
export const EARLIER_PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  AWS_ACCESS_KEY_ID: ['AWS access key id used by the X-Ray daemon and CloudWatch Logs.'],
};
