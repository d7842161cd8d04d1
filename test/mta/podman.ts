/** Asks the container runtime (podman here) what exists. */
import os from 'node:os';
import { runtimeClient } from '../../targets/container.ts';

/** Containers, running or not, whose owner label names process `pid` on this host. */
export async function containersOwnedBy(pid: number): Promise<string[]> {
  const client = await runtimeClient();
  const list = await client.container.dockerode.listContainers({ all: true, filters: { label: [`org.smtptest.owner=${os.hostname()} ${pid}`] } });
  return list.map((c) => c.Id);
}

/** True while a container with this id exists, in any state. */
export async function containerExists(id: string): Promise<boolean> {
  const client = await runtimeClient();
  const list = await client.container.dockerode.listContainers({ all: true, filters: { id: [id] } });
  return list.length > 0;
}
