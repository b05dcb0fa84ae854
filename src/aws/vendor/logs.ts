// What obs uses of @aws-sdk/client-cloudwatch-logs (built into dist/vendor/logs.cjs, see xray.ts).
export { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, ListTagsForResourceCommand, PutRetentionPolicyCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
