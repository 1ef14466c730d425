// @epl/kernels: other kernels for epl (README.md).
export { CATALOGUE, HOST, KernelsError, findKernel, defaultCacheDir, kernelDir, readFetched, requireFetched, listKernels } from './catalogue';
export type { GuestKernel, FetchedKernel, KernelListing } from './catalogue';
export { fetchKernel, hostMirrors, ROOT_MODULES } from './fetch';
export type { FetchOptions, HostMirrors } from './fetch';
export { runInKernel, defaultAccel, qemuArgs, jobScript, shQuote, checkGuestVisible } from './vm';
export type { Accel, VmOptions, RunInKernelOptions, GuestRun } from './vm';
export { INSTALL_HINT, findQemu, readStaticBusybox } from './tool';
export { runOnKernels, checkoutEplJs } from './run-on-kernels';
export type { RunOnKernelsOptions, KernelRun } from './run-on-kernels';
export { parseRecords, RecordsError } from './records';
export { compareRecords, differenceTable } from './compare';
export type { RecordSet, KernelColumn, KernelDifference, Comparison } from './compare';
