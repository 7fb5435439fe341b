/* payload.c - the command every bench job runs: it does nothing, at once */
int main(void)
{
  return 0;
}
