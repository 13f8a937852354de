import type { ProgramDecl } from '../types.js';
import { SERVICE_DECLS } from './services.js';

/**
 * Clients of remote services whose subcommands change shared state. The verbs of their
 * subcommands decide (remote.ts); these declarations add their global options, and what verbs
 * cannot tell: where secrets live, what runs code remotely, which changes are routine.
 */
const CORE: ProgramDecl[] = [
  {
    names: ['aws'],
    globals: { values: ['--profile', '--region', '--output', '--endpoint-url', '--query', '--color', '--ca-bundle', '--cli-read-timeout', '--cli-connect-timeout', '--cli-binary-format', '--cli-input-json', '--cli-input-yaml'] },
    completeGlobals: true,
    remote: {
      service: 'AWS',
      depth: 2,
      dryRun: ['--dryrun', '--dry-run'],
      effects: {
        's3 cp': 'routine', 's3 sync': 'routine', 's3 mv': 'change', 's3 presign': 'secret', 'ssm send-command': 'exec', 'ssm start-session': 'exec', 'ecs execute-command': 'exec',
        'ssm get-parameter': 'read', 'ssm get-parameters': 'read', 'ssm get-parameters-by-path': 'read', 'kms decrypt': 'secret', 'sts assume-role': 'secret',
        'sts get-session-token': 'secret', 'sts get-federation-token': 'secret', 'ecr get-login-password': 'secret', 'ecr get-authorization-token': 'secret',
        'codeartifact get-authorization-token': 'secret', 'eks get-token': 'secret', 'configure get': 'secret', 'configure export-credentials': 'secret',
        'lambda invoke': 'exec', 'configure': 'change', 'configure list': 'read', 'configure list-profiles': 'read', 'cloudtrail stop-logging': 'irreversible', 'cloudtrail update-trail': 'change', 'guardduty': 'change',
        'logs tail': 'read', 'logs filter-log-events': 'read', 'logs get-log-events': 'read', 'ec2 get-password-data': 'secret', 'rds generate-db-auth-token': 'secret',
      },
    },
  },
  {
    names: ['gcloud'],
    globals: { values: ['--project', '--account', '--configuration', '--format', '--zone', '--region', '--verbosity', '--impersonate-service-account', '--billing-project', '--flags-file', '--trace-token'] },
    completeGlobals: true,
    remote: {
      service: 'Google Cloud',
      depth: 4,
      effects: {
        'secrets versions access': 'secret', 'auth print-access-token': 'secret', 'auth print-identity-token': 'secret', 'auth application-default print-access-token': 'secret',
        'compute ssh': 'exec', 'compute scp': 'change', 'compute instances get-serial-port-output': 'read', 'cloud-shell ssh': 'exec', 'iam service-accounts keys create': 'secret',
        'sql connect': 'exec', 'config set': 'routine', 'config configurations activate': 'routine', 'auth login': 'routine', 'storage cp': 'routine', 'kms decrypt': 'secret',
        'container clusters get-credentials': 'secret', 'run services proxy': 'read', 'beta': 'read', 'alpha': 'read',
      },
    },
  },
  {
    names: ['az'],
    globals: { values: ['--subscription', '-o', '--output', '--query'] },
    completeGlobals: true,
    remote: {
      service: 'Azure',
      depth: 4,
      effects: {
        'keyvault secret show': 'secret', 'keyvault secret download': 'secret', 'keyvault key download': 'secret', 'account get-access-token': 'secret',
        'vm run-command': 'exec', 'vm run-command invoke': 'exec', 'ssh': 'exec', 'aks get-credentials': 'secret', 'storage account keys list': 'secret',
        'acr login': 'routine', 'login': 'routine', 'account set': 'routine', 'webapp ssh': 'exec', 'container exec': 'exec', 'cosmosdb keys list': 'secret',
        'ad sp credential reset': 'secret', 'ad app credential reset': 'secret', 'storage blob download': 'read', 'storage blob upload': 'change',
      },
    },
  },
  {
    names: ['kubectl', 'oc', 'kubecolor', 'k3s kubectl', 'microk8s.kubectl'],
    globals: { values: ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '--as-group', '-l', '--selector', '--request-timeout', '-v', '--v', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name', '--cache-dir', '-o', '--output', '-f', '--filename', '-c', '--container', '--field-selector', '--sort-by', '--template'] },
    completeGlobals: true,
    remote: {
      service: 'a Kubernetes cluster',
      depth: 2,
      dryRun: ['--dry-run', '--dry-run=client', '--dry-run=server'],
      effects: {
        'get secret': 'secret', 'get secrets': 'secret', 'get secret,configmap': 'secret', 'describe secret': 'read', 'exec': 'exec', 'debug': 'exec', 'attach': 'exec', 'run': 'exec',
        'cp': 'change', 'port-forward': 'read', 'proxy': 'read', 'config': 'routine', 'config view': 'read', 'auth can-i': 'read', 'create token': 'secret', 'create secret': 'secret',
        'explain': 'read', 'kustomize': 'read', 'diff': 'read', 'top': 'read', 'wait': 'read', 'version': 'read', 'api-resources': 'read', 'cluster-info': 'read', 'events': 'read',
        'plugin': 'read', 'completion': 'read', 'certificate': 'change', 'uncordon': 'change', 'apply': 'change', 'label': 'change', 'annotate': 'change', 'rollout status': 'read',
        'rollout history': 'read',
      },
    },
  },
  {
    names: ['helm'],
    globals: { values: ['-n', '--namespace', '--kube-context', '--kubeconfig', '--kube-apiserver', '--kube-token', '--kube-as-user', '--registry-config', '--repository-config', '--repository-cache'] },
    completeGlobals: true,
    remote: {
      service: 'a Kubernetes cluster',
      depth: 2,
      dryRun: ['--dry-run'],
      effects: { template: 'read', lint: 'read', package: 'read', dependency: 'read', 'dependency update': 'read', 'dependency build': 'read', repo: 'routine', 'repo remove': 'routine', 'repo list': 'read', pull: 'read', push: 'change', 'registry login': 'routine', create: 'read', show: 'read', env: 'read', 'get values': 'secret', 'get all': 'secret', 'get manifest': 'secret' },
    },
  },
  {
    names: ['gh'],
    globals: { values: ['-R', '--repo', '--hostname'] },
    completeGlobals: true,
    remote: {
      service: 'GitHub',
      depth: 3,
      unknown: 'read',
      method: ['-X', '--method'],
      bodyOptions: ['-f', '-F', '--field', '--raw-field', '--input'],
      sensitiveUrl: /\/(?:transfer|collaborators|keys|secrets|hooks|permissions|protection|rulesets|variables|environments|deployments|actions\/runners)\b/,
      effects: {
        pr: 'routine', issue: 'routine', label: 'routine', 'run rerun': 'routine', 'run cancel': 'routine', 'run watch': 'read', run: 'read', workflow: 'read', 'workflow run': 'change',
        'workflow disable': 'change', 'workflow enable': 'change', cache: 'read', secret: 'secret', 'secret list': 'read', variable: 'change', 'variable list': 'read', 'variable get': 'read',
        'auth token': 'secret', 'auth status': 'read', 'auth login': 'routine', 'auth refresh': 'routine', 'auth setup-git': 'routine', 'auth switch': 'routine', repo: 'read',
        'repo create': 'routine', 'repo fork': 'routine', 'repo clone': 'read', 'repo sync': 'routine', 'repo set-default': 'routine', 'repo edit': 'change', 'repo archive': 'change',
        'repo rename': 'change', 'repo deploy-key': 'secret', 'repo deploy-key list': 'read', release: 'change', 'release view': 'read', 'release list': 'read', 'release download': 'read',
        gist: 'change', 'gist view': 'read', 'gist list': 'read', api: 'routine', 'ssh-key': 'secret', 'ssh-key list': 'read', 'gpg-key': 'secret', 'gpg-key list': 'read', codespace: 'routine',
        'codespace ssh': 'exec', extension: 'change', 'extension list': 'read', browse: 'read', search: 'read', status: 'read', org: 'read', ruleset: 'read', attestation: 'read',
        project: 'routine', alias: 'routine', 'alias set': 'change', 'alias import': 'change', config: 'routine', 'config set': 'change', 'config get': 'read', completion: 'read', copilot: 'read', 'pr checkout': 'read',
      },
    },
  },
  {
    names: ['glab'],
    globals: { values: ['-R', '--repo'] },
    completeGlobals: true,
    remote: {
      service: 'GitLab',
      depth: 3,
      unknown: 'read',
      method: ['-X', '--method'],
      effects: { mr: 'routine', issue: 'routine', label: 'routine', ci: 'read', 'ci run': 'change', 'ci retry': 'routine', 'ci cancel': 'routine', pipeline: 'read', variable: 'secret', 'variable list': 'read', 'auth login': 'routine', 'auth status': 'read', repo: 'read', 'repo create': 'routine', 'repo fork': 'routine', 'repo clone': 'read', release: 'change', 'release view': 'read', 'release list': 'read', 'release download': 'read', api: 'read', 'ssh-key': 'secret', 'ssh-key list': 'read', 'deploy-key': 'secret', snippet: 'change', token: 'secret', schedule: 'change', config: 'routine', 'config get': 'read' },
    },
  },
  {
    names: ['terraform', 'tofu', 'terragrunt'],
    remote: {
      service: 'the infrastructure Terraform manages',
      depth: 2,
      unknown: 'read',
      effects: {
        apply: 'change', import: 'change', taint: 'change', untaint: 'change', refresh: 'change', 'state rm': 'irreversible', 'state mv': 'change', 'state push': 'irreversible', 'state replace-provider': 'change', 'force-unlock': 'change', 'workspace delete': 'irreversible', 'workspace new': 'routine', 'workspace select': 'routine', init: 'read', get: 'read', fmt: 'read', login: 'routine', logout: 'routine', console: 'read', output: 'read', 'state pull': 'secret', 'state show': 'read', 'state list': 'read',
        'run-all': 'change',
        // terragrunt runs one terraform command in every module: the command says what it does
        ...Object.fromEntries(['init', 'validate', 'plan', 'fmt', 'output', 'show', 'providers', 'graph', 'version', 'hclfmt', 'render-json'].map((c) => [`run-all ${c}`, 'read' as const])),
      },
    },
  },
  // HTTP clients: the method says what a request does (`curl -X DELETE …/index`); sending data is everyday
  { names: ['curl'], remote: { service: 'an HTTP server', depth: 0, unknown: 'routine', method: ['-X', '--request'] } },
  { names: ['wget'], remote: { service: 'an HTTP server', depth: 0, unknown: 'routine', method: ['--method'] } },
  { names: ['http', 'https', 'xh', 'xhs'], remote: { service: 'an HTTP server', depth: 1, unknown: 'routine' } },
  { names: ['docker', 'podman', 'nerdctl'], globals: { values: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'] } },
];

export const REMOTE_DECLS: ProgramDecl[] = [...CORE, ...SERVICE_DECLS];
