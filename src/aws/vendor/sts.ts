// What obs uses of @aws-sdk/client-sts (built into dist/vendor/sts.cjs, see xray.ts).
export { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
