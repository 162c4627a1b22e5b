// The real servers for a browser scenario (E2E_REAL_SERVERS=1, with the
// TENDERHALL_TEST_* variables of deploy/services.sh): a fresh MariaDB
// database made with the mariadb client, a fresh MinIO bucket (the server
// makes it), asynq on its own Redis database (emptied first), and a random field key. The
// returned variables are the server's TENDERHALL_* settings.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function realServerEnv() {
  const dsn = process.env.TENDERHALL_TEST_MYSQL_DSN ?? ''
  const m = dsn.match(/^([^:@]+)(?::([^@]*))?@tcp\(([^:)]+):(\d+)\)\/$/)
  const minio = process.env.TENDERHALL_TEST_MINIO ? new URL(process.env.TENDERHALL_TEST_MINIO) : null
  if (!m || !minio || !process.env.TENDERHALL_TEST_REDIS) throw new Error('E2E_REAL_SERVERS needs TENDERHALL_TEST_MYSQL_DSN, _MINIO and _REDIS (deploy/services.sh)')
  const [, user, password = '', host, port] = m
  const db = 'th_e2e_' + randomBytes(4).toString('hex')
  await run('mariadb', ['-h', host, '-P', port, '-u', user, `-p${password}`, '-e', `CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`])
  // A fresh database restarts its ids, and tasks have fixed ids made of
  // them (campaign:<draw>): the queue must start empty too, or a task of an
  // earlier run with the same id keeps the new one from being enqueued.
  const [rhost, rport] = process.env.TENDERHALL_TEST_REDIS.split(':')
  await run('redis-cli', ['-h', rhost, '-p', rport, '-n', '5', 'FLUSHDB'])
  return {
    TENDERHALL_DATABASE_DSN: `mysql:${dsn}${db}`,
    TENDERHALL_DATABASE_AUTO_MIGRATE: 'true',
    TENDERHALL_SECURITY_FIELD_KEY: randomBytes(16).toString('hex'),
    TENDERHALL_BLOBS_KIND: 'minio',
    TENDERHALL_MINIO_ENDPOINT: minio.host,
    TENDERHALL_MINIO_ACCESS_KEY: decodeURIComponent(minio.username),
    TENDERHALL_MINIO_SECRET_KEY: decodeURIComponent(minio.password),
    TENDERHALL_MINIO_BUCKET: 'th-e2e-' + randomBytes(4).toString('hex'),
    TENDERHALL_JOBS_KIND: 'asynq',
    TENDERHALL_REDIS_ADDR: process.env.TENDERHALL_TEST_REDIS,
    TENDERHALL_REDIS_DB: '5',
  }
}
