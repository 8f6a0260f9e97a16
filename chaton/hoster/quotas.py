def check_new_campaign(association): return None


def check_upload(association, size_bytes): return None
