/**
 * A boolean query parameter as Kubernetes converts one (runtime.Convert_Slice_string_To_bool): absent is
 * false; present, anything but "0" or "false" in any case is true — so the Python client's `watch=True`
 * and `follow=True`, and a bare `?watch`, mean true, and `tty=False` means false.
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}
