/** The AWS variables X-Ray's daemon and CloudWatch Logs both read, with their `.env.example` comments. */
export const AWS_PLACEHOLDERS: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'AWS access key id used by the X-Ray daemon and CloudWatch Logs.',
  AWS_SECRET_ACCESS_KEY: 'AWS secret access key that goes with AWS_ACCESS_KEY_ID. Never commit it.',
  AWS_DEFAULT_REGION: 'AWS region for X-Ray and CloudWatch Logs, e.g. us-east-1.',
};
