def test_home_page_greets_a_resident_by_name(client, resident):
    client.force_login(resident)
    response = client.get("/")
    assert "王阿姨" in response.content.decode()
